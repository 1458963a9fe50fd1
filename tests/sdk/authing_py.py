"""The real Authing Python SDK (`authing` on PyPI) drives hookbox's Authing V3
pipeline front through a whole lifecycle. After every SDK call the state is
checked through hookbox's native API: an SDK call that merely did not raise is
not a pass.

    python authing_py.py /path/to/hookbox     (make sdk-test runs it)
"""
import json
import re
import subprocess
import sys
import tempfile
import time

import requests
from authing import ManagementClient

HOOKBOX = sys.argv[1]
results = {"passed": 0, "failed": 0}


def check(name, condition, detail=""):
    if condition:
        results["passed"] += 1
        print(f"ok   {name}")
    else:
        results["failed"] += 1
        print(f"FAIL {name}: {detail}")


def start_server(data_dir):
    proc = subprocess.Popen(
        [HOOKBOX, "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir],
        stdout=subprocess.PIPE,
        text=True,
        env={"HOOKBOX_LOG": "warn", "PATH": "/usr/bin:/bin"},
    )
    key_id = secret = base = None
    deadline = time.time() + 60
    while base is None and time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        line = line.strip()
        if line.startswith("accessKeyId:"):
            key_id = line.split(":", 1)[1].strip()
        elif line.startswith("accessKeySecret:"):
            secret = line.split(":", 1)[1].strip()
        elif line.startswith("hookbox listening on "):
            base = line[len("hookbox listening on "):]
    if base is None:
        proc.kill()
        sys.exit("hookbox serve did not start")
    return proc, base, key_id, secret


WHITELIST = """async function pipe(user, context, callback) {
  const domain = (user.email || "").split("@")[1];
  if (domain !== "example.com") return callback(new Error("Access denied."));
  callback(null, user, context);
}"""
BROKEN = "async function pipe(user, context, callback) {\n  const = 1;\n}"
FIXED = "async function pipe(user, context, callback) { user.fixed = true; callback(null, user, context); }"


def main():
    data_dir = tempfile.mkdtemp(prefix="hookbox-sdk-")
    proc, base, key_id, secret = start_server(data_dir)
    try:
        run(base, key_id, secret)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"{results['passed']} passed, {results['failed']} failed")
    sys.exit(1 if results["failed"] else 0)


def run(base, key_id, secret):
    client = ManagementClient(access_key_id=key_id, access_key_secret=secret, host=base)

    # The native API, to verify what the SDK did.
    token = requests.post(f"{base}/api/v3/get-management-token",
                          json={"accessKeyId": key_id, "accessKeySecret": secret}).json()["data"]["access_token"]
    native = requests.Session()
    native.headers["authorization"] = f"Bearer {token}"

    def native_get(func_id):
        return native.get(f"{base}/v1/functions/{func_id}").json()

    def scene_run(scene, user):
        return native.post(f"{base}/v1/scenes/{scene}/run", json={"user": user, "context": {}}).json()["data"]

    # create: a good source and a failing one
    good = client.create_pipeline_function(source_code=WHITELIST, scene="PRE_REGISTER", func_name="whitelist",
                                           func_description="only example.com", timeout=5)
    check("create returns the envelope", good.get("statusCode") == 200 and good.get("requestId"), good)
    good_id = good["data"]["funcId"]
    stored = native_get(good_id)["data"]
    check("create stored the function", stored["funcName"] == "whitelist" and stored["timeout"] == 5
          and stored["status"] == "success" and stored["funcDescription"] == "only example.com", stored)
    check("create response is a PipelineFunctionDto", all(k in good["data"] for k in
          ["funcId", "funcName", "funcDescription", "scene", "sourceCode", "isAsynchronous", "timeout",
           "terminateOnTimeout", "enabled", "status", "createdAt", "updatedAt"]), good["data"])

    bad = client.create_pipeline_function(source_code=BROKEN, scene="PRE_REGISTER", func_name="broken")
    bad_id = bad["data"]["funcId"]
    check("a failing source is stored as failed with line:col",
          bad["data"]["status"] == "failed" and re.search(r"line 2, column \d+", bad["data"]["uploadErrMsg"] or ""),
          bad["data"])
    check("the failed function is stored", native_get(bad_id)["data"]["status"] == "failed")

    # get
    got = client.get_pipeline_function(func_id=good_id)
    check("get returns the source", got["data"]["sourceCode"] == WHITELIST, got)

    # list by scene
    listed = client.list_pipeline_functions(scene="PRE_REGISTER")
    ids = [f["funcId"] for f in listed["data"]["list"]]
    check("list by scene returns both in order", ids == [good_id, bad_id], listed)
    other = client.list_pipeline_functions(scene="POST_REGISTER")
    check("list of another scene is empty", other["data"]["list"] == [] and other["data"]["totalCount"] == 0, other)

    # the pipeline runs the good one and skips the failed one
    check("scene allows example.com", scene_run("PRE_REGISTER", {"email": "ada@example.com"})["outcome"] == "ok")
    denied = scene_run("PRE_REGISTER", {"email": "eve@evil.test"})
    check("scene denies others", denied["outcome"] == "error" and denied["error"]["message"] == "Access denied.",
          denied)

    # update
    upd = client.update_pipeline_function(func_id=good_id, func_name="whitelist v2", timeout=10,
                                          terminate_on_timeout=True)
    after = native_get(good_id)["data"]
    check("update changed the stored fields", upd.get("statusCode") == 200 and after["funcName"] == "whitelist v2"
          and after["timeout"] == 10 and after["terminateOnTimeout"] is True and after["version"] == 2, after)

    # reupload: fix the failed function's source, then reupload recompiles it
    fix = requests.patch(f"{base}/v1/functions/{bad_id}", headers=native.headers, json={"sourceCode": BROKEN}).json()
    check("still failing before the fix", fix["data"]["status"] == "failed", fix)
    client.update_pipeline_function(func_id=bad_id, source_code=FIXED)
    check("update with a new source recompiles", native_get(bad_id)["data"]["status"] == "success")
    re_up = client.reupload_pipeline_function(func_id=bad_id)
    check("reupload recompiles from the stored source",
          re_up.get("statusCode") == 200 and native_get(bad_id)["data"]["status"] == "success"
          and native_get(bad_id)["data"]["version"] == 4, re_up)

    # reorder
    order = client.update_pipeline_order(order=[bad_id, good_id], scene="PRE_REGISTER")
    native_ids = [f["funcId"] for f in native.get(f"{base}/v1/functions?scene=PRE_REGISTER").json()["data"]["list"]]
    check("reorder changed the stored order", order.get("statusCode") == 200 and native_ids == [bad_id, good_id],
          (order, native_ids))
    ran = scene_run("PRE_REGISTER", {"email": "ada@example.com"})
    check("the pipeline runs in the new order", [s["funcId"] for s in ran["steps"]] == [bad_id, good_id], ran)

    # logs
    deadline = time.time() + 10
    logs = {}
    while time.time() < deadline:
        logs = client.get_pipeline_logs(func_id=good_id, page=1, limit=10)
        if logs.get("data", {}).get("totalCount", 0) >= 3:
            break
        time.sleep(0.1)
    check("logs list the invocations newest first", logs["data"]["totalCount"] == 3
          and logs["data"]["list"][0]["outcome"] == "ok" and logs["data"]["list"][1]["outcome"] == "error", logs)

    # errors come back in Authing's shape
    missing = client.get_pipeline_function(func_id="000000000000000000000000")
    check("an unknown funcId is a 404 envelope", missing.get("statusCode") == 404 and missing.get("apiCode")
          and missing.get("requestId"), missing)
    invalid = client.create_pipeline_function(source_code=FIXED, scene="NOT_A_SCENE", func_name="x")
    check("an unknown scene is a 400 naming the field", invalid.get("statusCode") == 400
          and "scene" in invalid.get("message", ""), invalid)

    # delete
    deleted = client.delete_pipeline_function(func_id=good_id)
    check("delete removed it", deleted.get("statusCode") == 200
          and native.get(f"{base}/v1/functions/{good_id}").status_code == 404, deleted)
    remaining = [f["funcId"] for f in client.list_pipeline_functions(scene="PRE_REGISTER")["data"]["list"]]
    check("the list no longer has it", remaining == [bad_id], remaining)


if __name__ == "__main__":
    main()
