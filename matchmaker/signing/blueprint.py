from flask import Blueprint

bp = Blueprint("signing", __name__)
