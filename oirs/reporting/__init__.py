"""Statistics, satisfaction, the Open311 publication and the map's geocoding."""
