"""The report as documents: one model of ordered sections and blocks, drawn as HTML, Word and PDF.

    text.py    labels in Swedish and English, Swedish number formats (the only copy of either)
    model.py   the document model: sections of headings, paragraphs, tables, lists, figures, notes
    build.py   the report's JSON → the model, in the order of a region's delårsrapport/årsredovisning
    charts.py  the figures, drawn with matplotlib (SVG for HTML and PDF, PNG for Word)
    html.py    the model as one HTML page
    word.py    the model as a Word document
    pdf.py     the model as a tagged PDF (PDF/UA-1), laid out by Typst (templates/report.typ)
    worker.py  the process that draws documents, away from the gateway's event loop

Each renderer walks the same model, so a section in one format is in every format.
"""
