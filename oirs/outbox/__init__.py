"""Messages to residents: delivery through their channel, reply templates, folios."""
