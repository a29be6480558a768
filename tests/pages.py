"""Pages every reader can open on the seed entry, for tests that go through them all."""

READER_PAGES = [
    "/",
    "/remedies/",
    "/remedies/vitamin-k2/",
    "/remedies/vitamin-k2/osteoporosis/",
    "/conditions/",
    "/conditions/osteoporosis/",
]
