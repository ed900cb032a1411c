"""``chaosml import``: Chaos Toolkit experiments converted into chaosml experiments."""
