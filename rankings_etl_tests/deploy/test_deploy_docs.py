"""docs/DEPLOY.md and deploy/helm/README.md stay true to the files they describe."""

from __future__ import annotations

import re

from .support import DEPLOY_DOC, DOCKER_INSTANCE, HELM_README, HELM_VALUES, REPO, load_yaml

PATH = re.compile(r"`((?:deploy|docs|rankings_etl|rankings_etl_tests)/[\w./-]+)`")


def test_every_repository_path_the_docs_name_exists():
    for doc in (DEPLOY_DOC, HELM_README):
        for path in PATH.findall(doc.read_text(encoding="utf-8")):
            assert (REPO / path).exists(), f"{doc.name} names {path}, which does not exist"


def test_the_docs_state_the_numbers_the_files_configure():
    doc = DEPLOY_DOC.read_text(encoding="utf-8")
    instance = load_yaml(DOCKER_INSTANCE)
    assert f"{instance['concurrency']['runs']['max_concurrent_runs']} runs at a time" in doc
    assert "RANKINGS_BUDGET_DB=postgresql://" in doc
    values = load_yaml(HELM_VALUES)
    readme = HELM_README.read_text(encoding="utf-8")
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    assert deployment["image"]["repository"] in readme
    assert "only DuckDB" in doc or "the only warehouse the code implements today" in doc
