# Cloud Map: private DNS names for the tasks, registered and deregistered by ECS.
#   otel-collector.<namespace>  the collector (what the NLB also targets)
#   tempo.<namespace>           Tempo (collector export target, Grafana data source)

resource "aws_service_discovery_private_dns_namespace" "this" {
  name        = var.service_discovery_namespace
  description = "nestjs-tracing: collector and Tempo"
  vpc         = var.vpc_id
}

resource "aws_service_discovery_service" "collector" {
  name = "otel-collector"

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}

resource "aws_service_discovery_service" "tempo" {
  name = "tempo"

  dns_config {
    namespace_id   = aws_service_discovery_private_dns_namespace.this.id
    routing_policy = "MULTIVALUE"

    dns_records {
      type = "A"
      ttl  = 10
    }
  }

  health_check_custom_config {
    failure_threshold = 1
  }
}
