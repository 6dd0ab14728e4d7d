"""The conventions ``assert_counts`` and the ``nnref_oracle`` fixture know (no imports, so
that the pytest plugin stays cheap to load)."""

#: "exact": every operation nnref executes; "macs": its multiplications (one per
#: multiply-accumulate); the others: each tool's convention, as nnref.conventions has it.
CONVENTIONS = ("exact", "macs", "thop", "ptflops", "fvcore", "torch", "tf")
