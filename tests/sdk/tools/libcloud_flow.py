"""Apache libcloud's ECSDriver against ecs-emulator: network records, create_node, stop, start,
list, destroy. Usage: python libcloud_flow.py HOST PORT (prints one JSON line of what it saw)."""

import json
import sys

from libcloud.compute.providers import get_driver
from libcloud.compute.types import NodeState, Provider

host, port = sys.argv[1], int(sys.argv[2])
ECS = get_driver(Provider.ALIYUN_ECS)
driver = ECS("flow-key", "flow-secret", region="cn-hangzhou", secure=False, host=host, port=port)

seen = {}
size = next(s for s in driver.list_sizes() if s.id == "ecs.g7.large")
image = next(i for i in driver.list_images() if i.id.startswith("aliyun_3_x64"))
seen["zones"] = [z.id for z in driver.ex_list_zones()]
group_id = driver.ex_create_security_group(description="libcloud flow")
seen["groups"] = [g.id for g in driver.ex_list_security_groups()]

node = driver.create_node(name="libcloud-1", size=size, image=image,
                          ex_security_group_id=group_id, ex_hostname="libcloud-1")
# create_node starts the node and waits for it to run (the node it returns is the one it
# listed before starting it).
seen["created"] = driver.list_nodes(ex_node_ids=[node.id])[0].state
driver.ex_stop_node(node)
seen["stopped"] = driver.list_nodes(ex_node_ids=[node.id])[0].state
driver.ex_start_node(node)
seen["started"] = driver.list_nodes(ex_node_ids=[node.id])[0].state
listed = driver.list_nodes()
seen["listed"] = [(n.name, n.state, n.extra.get("vpc_attributes", {}).get("vswitch_id")) for n in listed]
seen["volumes"] = [v.extra.get("category") for v in driver.list_volumes(ex_filters={"InstanceId": node.id})]
seen["destroyed"] = driver.destroy_node(node)  # stops a running node first, then deletes it
seen["left"] = [n.id for n in driver.list_nodes()]
seen["group_deleted"] = driver.ex_delete_security_group_by_id(group_id)
print(json.dumps(seen, default=str))
