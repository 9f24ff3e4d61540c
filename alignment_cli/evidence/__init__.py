"""CRM evidence: Salesforce and HubSpot exports read into aggregate metrics ("say vs do").

formats: what each export kind's columns are called (API names and labels) and which are needed;
mapping: the `--mapping` file; engine: the DuckDB queries (imported only when evidence is used);
store: the evidence JSON in the engagement; link: a metric as an answer to a rubric question.
Nothing personal leaves the engine: only counts, shares, medians and the files' fingerprints.
"""
