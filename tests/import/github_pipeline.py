"""A hand-written dlt pipeline, as a user would bring it: constants, f-strings, a
secret parameter, dlt's classes, a lambda and a custom paginator class."""

import dlt
from dlt.sources.rest_api import RESTAPIConfig, rest_api_resources
from dlt.sources.helpers.rest_client.paginators import BasePaginator, HeaderLinkPaginator

OWNER = "dlt-hub"
REPO = "dlt"
API = "https://api.github.com"
PER_PAGE = 100


class CommitsPaginator(BasePaginator):
    def update_state(self, response, data=None):
        self._has_next_page = False


@dlt.source
def github_source(access_token: str = dlt.secrets.value, org: str = dlt.config.value):
    config: RESTAPIConfig = {
        "client": {
            "base_url": f"{API}/repos/{OWNER}/{REPO}/",
            "auth": {"type": "bearer", "token": access_token},
            "paginator": HeaderLinkPaginator(),
        },
        "resource_defaults": {
            "primary_key": "id",
            "write_disposition": "merge",
            "endpoint": {"params": {"per_page": PER_PAGE}},
        },
        "resources": [
            {
                "name": "issues",
                "endpoint": {
                    "path": "issues",
                    "params": {"state": "open", "since": "{incremental.start_value}"},
                    "incremental": dlt.sources.incremental(
                        "updated_at", initial_value="2024-01-01T00:00:00Z"
                    ),
                },
                "processing_steps": [{"filter": lambda issue: issue["state"] == "open"}],
            },
            {
                "name": "commits",
                "endpoint": {"path": "commits", "paginator": CommitsPaginator()},
                "table_name": "repo_" + "commits",
            },
            {
                "name": "members",
                "endpoint": {"path": f"orgs/{org}/members", "paginator": "single_page"},
            },
        ],
    }
    yield from rest_api_resources(config)


pipeline = dlt.pipeline(pipeline_name="github_issues", destination="duckdb")
pipeline.run(github_source())
