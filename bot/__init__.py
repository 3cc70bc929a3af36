"""Chat side of baocao: channel adapters, conversation core and the reply parser."""
