# Optional internal NLB in front of the collector: one stable name for OTLP gRPC and HTTP, and
# targets health-checked on the collector's health_check extension. TCP pass-through: the
# collector still sees whole OTLP requests, and gRPC streams stay on one target.

resource "aws_lb" "collector" {
  count = var.create_collector_nlb ? 1 : 0

  name                             = "${var.name}-otlp"
  internal                         = true
  load_balancer_type               = "network"
  subnets                          = var.private_subnet_ids
  security_groups                  = [aws_security_group.nlb[0].id]
  enable_cross_zone_load_balancing = true
}

resource "aws_lb_target_group" "collector" {
  for_each = var.create_collector_nlb ? local.otlp_ports : {}

  name                 = "${var.name}-otlp-${each.key}"
  port                 = each.value
  protocol             = "TCP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30

  health_check {
    protocol            = "HTTP"
    port                = tostring(local.collector_health)
    path                = "/"
    healthy_threshold   = 2
    unhealthy_threshold = 2
    interval            = 10
  }
}

resource "aws_lb_listener" "collector" {
  for_each = aws_lb_target_group.collector

  load_balancer_arn = aws_lb.collector[0].arn
  port              = each.value.port
  protocol          = "TCP"

  default_action {
    type             = "forward"
    target_group_arn = each.value.arn
  }
}
