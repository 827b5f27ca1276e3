# kafka of the local cluster (sourced by deploy/cluster.sh): cluster_kafka_up|down|status|fetch [N]
cluster_kafka_up() { die "kafka: not built yet"; }
cluster_kafka_down() { die "kafka: not built yet"; }
cluster_kafka_status() { die "kafka: not built yet"; }
cluster_kafka_fetch() { die "kafka: not built yet"; }
