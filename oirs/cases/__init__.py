"""Cases: filing, the workflow of states, folios, triage, adhesions, lookups."""
