"""Links between registry entities and list entries, made from what the lists publish.

`bridges`: the official identifiers the lists carry (OFAC keys, UN DATAIDs, OpenSanctions
referents) carry a link from one list to the others. `suggestions`: where no bridge exists,
the registry's names are matched against a version and the matches wait for review.
"""
