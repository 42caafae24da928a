"""Pure domain rules, no I/O: routing, identity normalisation, rate limits, domain errors."""
