# clickhouse of the local cluster (sourced by deploy/cluster.sh): cluster_clickhouse_up|down|status|fetch [N]
cluster_clickhouse_up() { die "clickhouse: not built yet"; }
cluster_clickhouse_down() { die "clickhouse: not built yet"; }
cluster_clickhouse_status() { die "clickhouse: not built yet"; }
cluster_clickhouse_fetch() { die "clickhouse: not built yet"; }
