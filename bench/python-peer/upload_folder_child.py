"""The Python peer, in a process of its own: huggingface_hub's create_repo + upload_folder of
--folder into --repo, timed from before create_repo (hubpush creates its repo too) to the commit.
Prints one JSON line: {"seconds", "files", "commits", "version"}. Run by bench/lib/run-python-peer.ts
(benches) and test/fidelity/official-client-shapes.test.ts, with PYTHONPATH pointing at the packages
bench/python-peer/install.sh unpacked. --repo-type, --revision (a branch created from main first)
and --path-in-repo are the upload_folder options the fidelity cases use."""

import argparse
import json
import os
import sys
import time

import huggingface_hub
from huggingface_hub import HfApi

parser = argparse.ArgumentParser()
parser.add_argument("--url", required=True)
parser.add_argument("--repo", required=True)
parser.add_argument("--folder", required=True)
parser.add_argument("--token", required=True)
parser.add_argument("--repo-type", default="model")
parser.add_argument("--revision", default=None)
parser.add_argument("--path-in-repo", default=None)
args = parser.parse_args()

files = sum(len(names) for _, _, names in os.walk(args.folder))
api = HfApi(endpoint=args.url, token=args.token)
started = time.perf_counter()
api.create_repo(
    args.repo,
    repo_type=args.repo_type,
    exist_ok=True,
    space_sdk="gradio" if args.repo_type == "space" else None,
)
if args.revision is not None:
    api.create_branch(args.repo, repo_type=args.repo_type, branch=args.revision)
api.upload_folder(
    folder_path=args.folder,
    repo_id=args.repo,
    repo_type=args.repo_type,
    revision=args.revision,
    path_in_repo=args.path_in_repo,
    commit_message="bench upload",
)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "files": files, "commits": 1, "version": huggingface_hub.__version__}))
sys.stdout.flush()
