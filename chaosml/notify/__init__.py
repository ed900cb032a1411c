"""From fired to paged (issue 19): Alertmanager's routing tree, its webhook format, chaosml's
webhook sink and why a notification did not come (docs/notifications.md)."""
