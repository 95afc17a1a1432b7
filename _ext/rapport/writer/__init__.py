"""The writer's commands."""
