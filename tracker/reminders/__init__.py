"""Reminders: when they are due (schedule), what they say (content), how they are sent (push, email)
and the dispatcher that sends each exactly once (services)."""
