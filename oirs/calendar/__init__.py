"""Business days and the legal terms, deadlines and the alerts on them."""
