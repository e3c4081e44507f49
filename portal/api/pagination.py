"""The API's pages (settings: REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]). DRF imports this while
it is itself being imported: no view imports here."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
