# Who may talk to whom:
#   allowed_cidr_blocks -> NLB (4317, 4318) -> collector; allowed_cidr_blocks -> collector directly
#   (Cloud Map name); collector -> Tempo 4317; allowed_cidr_blocks -> Tempo 3200 (Grafana);
#   Tempo -> EFS 2049. Egress is open (image pulls, SSM, CloudWatch Logs).

resource "aws_security_group" "nlb" {
  count       = var.create_collector_nlb ? 1 : 0
  name        = "${var.name}-otlp-nlb"
  description = "Internal NLB in front of the OpenTelemetry Collector"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "nlb_otlp" {
  for_each = var.create_collector_nlb ? {
    for pair in setproduct(keys(local.otlp_ports), var.allowed_cidr_blocks) : "${pair[0]}-${pair[1]}" => {
      port = local.otlp_ports[pair[0]]
      cidr = pair[1]
    }
  } : {}

  security_group_id = aws_security_group.nlb[0].id
  description       = "OTLP ${split("-", each.key)[0]} from allowed clients"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

resource "aws_vpc_security_group_egress_rule" "nlb_to_collector" {
  for_each = var.create_collector_nlb ? merge(local.otlp_ports, { health = local.collector_health }) : {}

  security_group_id            = aws_security_group.nlb[0].id
  description                  = "${each.key} to the collector tasks"
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  referenced_security_group_id = aws_security_group.collector.id
}

resource "aws_security_group" "collector" {
  name        = "${var.name}-otel-collector"
  description = "OpenTelemetry Collector tasks"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "collector_otlp_direct" {
  for_each = {
    for pair in setproduct(keys(local.otlp_ports), var.allowed_cidr_blocks) : "${pair[0]}-${pair[1]}" => {
      port = local.otlp_ports[pair[0]]
      cidr = pair[1]
    }
  }

  security_group_id = aws_security_group.collector.id
  description       = "OTLP ${split("-", each.key)[0]} from allowed clients (Cloud Map name)"
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

resource "aws_vpc_security_group_ingress_rule" "collector_from_nlb" {
  for_each = var.create_collector_nlb ? merge(local.otlp_ports, { health = local.collector_health }) : {}

  security_group_id            = aws_security_group.collector.id
  description                  = "${each.key} from the NLB"
  ip_protocol                  = "tcp"
  from_port                    = each.value
  to_port                      = each.value
  referenced_security_group_id = aws_security_group.nlb[0].id
}

resource "aws_vpc_security_group_egress_rule" "collector_all" {
  security_group_id = aws_security_group.collector.id
  description       = "Tempo, image pulls, SSM, CloudWatch Logs"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group" "tempo" {
  name        = "${var.name}-tempo"
  description = "Grafana Tempo tasks"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "tempo_from_collector" {
  security_group_id            = aws_security_group.tempo.id
  description                  = "OTLP gRPC from the collector"
  ip_protocol                  = "tcp"
  from_port                    = local.otlp_ports.grpc
  to_port                      = local.otlp_ports.grpc
  referenced_security_group_id = aws_security_group.collector.id
}

resource "aws_vpc_security_group_ingress_rule" "tempo_query" {
  for_each = toset(var.allowed_cidr_blocks)

  security_group_id = aws_security_group.tempo.id
  description       = "Tempo query API (Grafana)"
  ip_protocol       = "tcp"
  from_port         = local.tempo_http_port
  to_port           = local.tempo_http_port
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "tempo_all" {
  security_group_id = aws_security_group.tempo.id
  description       = "EFS, image pulls, SSM, CloudWatch Logs"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_security_group" "efs" {
  name        = "${var.name}-tempo-efs"
  description = "EFS mount targets for Tempo"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "efs_from_tempo" {
  security_group_id            = aws_security_group.efs.id
  description                  = "NFS from Tempo tasks"
  ip_protocol                  = "tcp"
  from_port                    = 2049
  to_port                      = 2049
  referenced_security_group_id = aws_security_group.tempo.id
}
