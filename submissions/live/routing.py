"""The live editor's WebSocket address, beside the page it serves (c/<slug>/documents/<id>/)."""

from django.urls import path

from .consumer import LiveDocumentConsumer

websocket_urlpatterns = [
    path("ws/c/<slug:coalition_slug>/documents/<int:document_id>/live/", LiveDocumentConsumer.as_asgi()),
]
