terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }
}

# Credentials come from the environment (AWS_PROFILE, SSO, or the CI runner's role); never
# put keys in this directory.
provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ Project = "nestjs-tracing", ManagedBy = "terraform" }, var.tags)
  }
}
