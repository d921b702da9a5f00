"""The Chinese text layer under drafter and vectorstore, with no dependency on either.

``numerals`` (numeral values, on cn2an), ``units`` (units and comparable quantities), ``numbers`` (finding
numbers in prose), ``headings`` (一、/（一）/1./（1） headings), ``sentences`` (sentence and clause ends),
``punctuation`` (full-width marks and spacing), ``instructions`` (prompt-injection detection); set phrases
live in ``data/``.
"""
