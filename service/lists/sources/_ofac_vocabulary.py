"""OFAC's names for identity documents and identifying numbers.

The document types are the "ID DOCUMENT TYPE" reference values that OFAC publishes inside
every SDN_ENHANCED export (the 104 of the 2024 exports); the feature types are the
`featureType`s of the same export that identify a thing (a bank code, a tail number, a wallet)
rather than describe it. The legacy CSV Remarks, the classic XML `idList` and the US CSL `ids`
column all use these same labels, so one vocabulary serves all three.
"""

from __future__ import annotations

import re

ID_DOCUMENT_TYPES = (
    "Afghan Money Service Provider License Number",
    "Aircraft Serial Identification",
    "Birth Certificate Number",
    "Bosnian Personal ID No.",
    "Branch Unit Number",
    "British National Overseas Passport",
    "Business Number",
    "Business Registration Document #",
    "Business Registration Number",
    "C.I.F.",
    "C.I.N.",
    "C.R. No.",
    "C.U.I.",
    "C.U.I.P.",
    "C.U.I.T.",
    "C.U.R.P.",
    "CNP (Personal Numerical Code)",
    "Cartilla de Servicio Militar Nacional",
    "Cedula No.",
    "Central Registration System Number",
    "Certificate of Incorporation Number",
    "Chamber of Commerce Number",
    "Chinese Commercial Code",
    "Citizen's Card Number",
    "Commercial Registry Number",
    "Company Number",
    "Credencial electoral",
    "D.N.I.",
    "Diplomatic Passport",
    "Driver's License No.",
    "Dubai Chamber of Commerce Membership No.",
    "Economic Register Number (CBLS)",
    "Electoral Registry No.",
    "Enterprise Number",
    "File Number",
    "Fiscal Code",
    "Folio Mercantil No.",
    "Government Gazette Number",
    "I.F.E.",
    "Identification Number",
    "Immigration No.",
    "Istanbul Chamber of Comm. No.",
    "Italian Fiscal Code",
    "Kenyan ID No.",
    "LE Number",
    "Legal Entity Number",
    "License",
    "MMSI",
    "MSB Registration Number",
    "Matricula Mercantil No",
    "Military Registration Number",
    "Moroccan Personal ID No.",
    "N.I.E.",
    "N.I.F.",
    "NIT #",
    "National Foreign ID Number",
    "National ID No.",
    "Numero Unico de Identificacao Tributaria (NUIT)",
    "Numero de Identidad",
    "Organization Code",
    "Paraguayan tax identification number",
    "Passport",
    "Permit Number",
    "Personal ID Card",
    "Pilot License Number",
    "Public Registration Number",
    "Public Security and Immigration No.",
    "R.F.C.",
    "RFC",
    "RIF #",
    "RSIN",
    "RTN",
    "RUC #",
    "Refugee ID Card",
    "Registered Charity No.",
    "Registration Certificate Number (Dubai)",
    "Registration ID",
    "Registration Number",
    "Residency Number",
    "Romanian C.R.",
    "Romanian Permanent Resident",
    "Romanian Tax Registration",
    "Russian State Individual Business Registration Number Pattern (OGRNIP)",
    "SRE Permit No.",
    "SSN",
    "Seafarer's Identification Document",
    "Serial No.",
    "Stateless Person ID Card",
    "Stateless Person Passport",
    "Tax ID No.",
    "Tazkira National ID Card",
    "Tourism License No.",
    "Trade License No.",
    "Trademark number",
    "Travel Document Number",
    "Turkish Identification Number",
    "UAE Identification",
    "UK Company Number",
    "US FEIN",
    "Unified Social Credit Code (USCC)",
    "United Social Credit Code Certificate (USCCC)",
    "V.A.T. Number",
    "Vessel Registration Identification",
    "VisaNumberID",
)

ID_FEATURE_TYPES = (
    "Aircraft Construction Number (also called L/N or S/N or F/N)",
    "Aircraft Manufacturer's Serial Number (MSN)",
    "Aircraft Mode S Transponder Code",
    "Aircraft Tail Number",
    "BIK (RU)",
    "D-U-N-S Number",
    "Equity Ticker",
    "ISIN",
    "MICEX Code",
    "Previous Aircraft Tail Number",
    "SWIFT/BIC",
    "UN/LOCODE",
)

# Wallet addresses come as one feature type per currency ("Digital Currency Address - XBT").
_DIGITAL_CURRENCY = r"Digital Currency Address - [A-Z0-9]+"


def _label_pattern(label: str) -> str:
    # OFAC writes the apostrophe as ' in CSV and as ’ in XML: accept either.
    return re.escape(label).replace("'", "['’]")


_LABELS_LONGEST_FIRST = sorted(ID_DOCUMENT_TYPES + ID_FEATURE_TYPES, key=len, reverse=True)
_LABEL_ALTERNATIVES = "|".join([*map(_label_pattern, _LABELS_LONGEST_FIRST), _DIGITAL_CURRENCY])

# The label at the start of a Remarks segment, followed by the value.
IDENTIFIER_PREFIX = re.compile(rf"(?P<label>{_LABEL_ALTERNATIVES}) (?P<rest>\S.*)")
_WHOLE_LABEL = re.compile(rf"(?:{_LABEL_ALTERNATIVES})", re.IGNORECASE)


def is_identifier_type(label: str) -> bool:
    """Gives True when `label` names an identity document or identifying number."""
    return _WHOLE_LABEL.fullmatch(label.strip()) is not None


def canonical_label(label: str) -> str:
    """Gives the label with OFAC's typographic apostrophe replaced by a plain one."""
    return label.replace("’", "'").strip()
