from flask import current_app, render_template

from matchmaker.editions.selection import selected_edition
from matchmaker.home.operations import headline_figures


def index():
    edition = selected_edition()
    figures = headline_figures(count_intent=current_app.config["SIGNING_COUNT_INTENT"], edition=edition)
    return render_template("home/index.html", figures=figures, edition=edition)
