from flask import Blueprint

from matchmaker.catalogue import controllers

bp = Blueprint("catalogue", __name__, url_prefix="/catalogues")

bp.add_url_rule("/", view_func=controllers.index, methods=["GET", "POST"])
bp.add_url_rule("/<int:catalogue_id>", view_func=controllers.catalogue)
bp.add_url_rule("/<int:catalogue_id>/upload", view_func=controllers.upload, methods=["POST"])
bp.add_url_rule("/<int:catalogue_id>/imports", view_func=controllers.imports)
bp.add_url_rule("/<int:catalogue_id>/imports/<int:batch_id>", view_func=controllers.batch)
bp.add_url_rule(
    "/<int:catalogue_id>/imports/<int:batch_id>/commit", view_func=controllers.commit, methods=["POST"]
)
bp.add_url_rule("/<int:catalogue_id>/publish", view_func=controllers.publish, methods=["POST"])
bp.add_url_rule("/<int:catalogue_id>/submit", view_func=controllers.submit_review, methods=["POST"])
bp.add_url_rule("/<int:catalogue_id>/approve", view_func=controllers.approve, methods=["POST"])
bp.add_url_rule(
    "/<int:catalogue_id>/return", view_func=controllers.return_for_corrections, methods=["POST"]
)
bp.add_url_rule("/<int:catalogue_id>/unpublish", view_func=controllers.unpublish, methods=["POST"])
bp.add_url_rule("/<int:catalogue_id>/export.<any(xlsx, csv):file_format>", view_func=controllers.export)
bp.add_url_rule(
    "/<int:catalogue_id>/projects/<int:project_id>/edit",
    view_func=controllers.edit_project,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/<int:catalogue_id>/projects/<int:project_id>/attachments",
    view_func=controllers.upload_attachments,
    methods=["POST"],
)
bp.add_url_rule(
    "/<int:catalogue_id>/projects/<int:project_id>/attachments/<int:attachment_id>/replace",
    view_func=controllers.replace_attachment,
    methods=["POST"],
)
bp.add_url_rule(
    "/<int:catalogue_id>/projects/<int:project_id>/attachments/<int:attachment_id>/delete",
    view_func=controllers.delete_attachment,
    methods=["POST"],
)
bp.register_error_handler(413, controllers.too_large)
