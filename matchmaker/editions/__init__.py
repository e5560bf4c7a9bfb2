"""Forum editions (年份): each year's forum is one record with its name, dates, target and
exchange rates. Catalogues, signing sessions (and, later, meeting zones) belong to one;
"本次论坛" always means one edition.

This feature imports no other feature: catalogue, signing and meetings import it.
"""
