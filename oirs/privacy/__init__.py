"""Personal data (Ley 21.719): what is held, masking, contact data, anonymisation."""
