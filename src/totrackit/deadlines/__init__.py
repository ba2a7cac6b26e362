"""The deadline engine: finds runs whose deadline warning or miss is due, and delivers the events.

``scanner`` marks due runs and writes their events to the outbox in one transaction;
``delivery`` sends outbox events to the webhook receivers until each one has them;
``runner`` schedules both (in ``totrackit worker``, or inside ``totrackit serve``).
"""
