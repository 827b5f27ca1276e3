# zookeeper of the local cluster (sourced by deploy/cluster.sh): cluster_zookeeper_up|down|status|fetch [N]
cluster_zookeeper_up() { die "zookeeper: not built yet"; }
cluster_zookeeper_down() { die "zookeeper: not built yet"; }
cluster_zookeeper_status() { die "zookeeper: not built yet"; }
cluster_zookeeper_fetch() { die "zookeeper: not built yet"; }
