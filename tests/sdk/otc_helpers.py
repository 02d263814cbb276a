"""openstacksdk against the emulator: a clouds.yaml taken from the README, and a connection."""
import os
import re
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_block(name: str, lang: str) -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {name}:start -->\s*```{lang}\n(.*?)```\s*<!-- {name}:end -->", text, re.S)
    assert block, f"README.md lost its {name} markers"
    return block.group(1)


def clouds_file(host: str) -> str:
    """The README's clouds.yaml, pointed at `host` instead of 127.0.0.1:18090; returns its path."""
    text = readme_block("clouds", "yaml").replace("127.0.0.1:18090", host)
    fd, path = tempfile.mkstemp(suffix=".yaml", prefix="clouds-")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def connect(host: str, project: str = "eu-de"):
    """The README's cloud, or the same user in another project (and its region)."""
    import openstack
    if project == "eu-de":
        os.environ["OS_CLIENT_CONFIG_FILE"] = clouds_file(host)
        return openstack.connect(cloud="ecs-emulator")
    return openstack.connect(auth_url=f"http://{host}/v3", username="admin", password="admin",
                             project_name=project, user_domain_name="Default", project_domain_name="Default",
                             region_name=project, block_storage_api_version="2",
                             load_yaml_config=False, load_envvars=False)
