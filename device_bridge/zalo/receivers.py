"""Signal receivers of the Zalo integration: they only enqueue work after commit."""
