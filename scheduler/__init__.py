"""The scheduler: the plan as data, the Vietnamese working-day calendar, every agency's
deadlines, and the reminder ladder. Pure computation; it never touches the network."""
