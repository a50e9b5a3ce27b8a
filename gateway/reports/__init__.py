"""The reports the gateway combines from the three services, as one package with no import circle.

- `building`: the report's JSON, each section asked of its service as at the period's end;
- `routes`: the interim and annual report routes, and the format a report is drawn in;
- `production`: report editions, the owners' analysis texts and the completed, frozen editions;
- `trace`: one recommendation, risk or grant followed through every link to its indicators;
- `documents`: the document model and its HTML, Word and PDF, the charts, the text and number formats,
  and the worker process that draws them.
"""
