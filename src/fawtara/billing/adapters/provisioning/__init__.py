"""Links to the billers' networks, where a line or a meter is suspended and reconnected."""
