from flask import current_app, render_template

from matchmaker.home.operations import headline_figures


def index():
    figures = headline_figures(count_intent=current_app.config["SIGNING_COUNT_INTENT"])
    return render_template("home/index.html", figures=figures)
