"""Print a CloudFormation template as a CloudFormation Hook sees its resources, as JSON on stdout.

Usage: python3 hook_view.py '<json request>'
  {"template": "template.yaml",             # path, relative to the working directory
   "parameters": {"Name": "value", ...},    # overrides; every other parameter takes its Default
   "pseudo": {"AWS::Region": "us-east-1", ...},
   "attributes": {"Resource": {"Attr": "value"}}}  # Fn::GetAtt values of resources outside the Hook's view

The template is packaged (local CodeUri becomes an S3 URI, as `sam package` does) and the
AWS::Serverless-2016-10-31 transform applied (samtranslator, which cfn-lint brings); then
parameters, pseudo parameters, conditions (resources and outputs whose condition is false are dropped),
Fn::If, Fn::Sub, Fn::Join, Fn::Select, Fn::Split and AWS::NoValue are resolved; Fn::GetAtt of a resource
named in "attributes" becomes that value. Ref and Fn::GetAtt of other resources of the template stay as they
are, so rules can still check what they point at (a Hook sees their physical ids).
"""

import copy
import json
import re
import sys
from typing import Any

import boto3
from cfnlint.decode import decode
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

SERVERLESS = "AWS::Serverless-2016-10-31"


class Removed:
    """AWS::NoValue: the property (or list item) is left out."""


NO_VALUE = Removed()


class NoManagedPolicies:
    def load(self) -> dict[str, str]:
        return {}


class HookViewError(Exception):
    """A template or view this script cannot resolve; the message says what to fix."""


def fail(message: str) -> None:
    # Uncaught, it ends the script with status 1 and the message as stderr's last line.
    raise HookViewError(message)


def load(path: str) -> dict[str, Any]:
    template, matches = decode(path)
    if matches:
        fail(f"{path} does not parse ({'; '.join(str(m) for m in matches)}); fix the template first.")
    return json.loads(json.dumps(template, default=str))


def parameter_values(template: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    declared = template.get("Parameters", {})
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        fail(f"Unknown parameters {', '.join(unknown)}: pass only parameters the template declares.")
    values: dict[str, Any] = {}
    for name, spec in declared.items():
        if name in overrides:
            values[name] = overrides[name]
        elif "Default" in spec:
            values[name] = spec["Default"]
        else:
            fail(f"Parameter {name} has no default: pass an example value for it.")
        if spec.get("Type") == "Number":
            values[name] = int(values[name])
        elif spec.get("Type", "").startswith("List<") or spec.get("Type") == "CommaDelimitedList":
            value = values[name]
            values[name] = value if isinstance(value, list) else [v for v in str(value).split(",") if v != ""]
    return values


def package(template: dict[str, Any], pseudo: dict[str, str]) -> None:
    """What `sam package` does before CloudFormation sees the template: local code goes to an S3 URI."""
    for name, resource in template.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::Serverless::Function" and not str(properties.get("CodeUri", "s3://")).startswith("s3://"):
            properties["CodeUri"] = f"s3://sam-artifacts-{pseudo['AWS::AccountId']}-{pseudo['AWS::Region']}/{name}.zip"


def transform(template: dict[str, Any], values: dict[str, Any], pseudo: dict[str, str]) -> dict[str, Any]:
    transforms = template.get("Transform", [])
    if SERVERLESS not in (transforms if isinstance(transforms, list) else [transforms]):
        return template
    template = copy.deepcopy(template)
    package(template, pseudo)
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=pseudo["AWS::Region"]))
    return translator.translate(
        template,
        parameter_values={**values, **pseudo},
        get_managed_policy_map=lambda: NoManagedPolicies().load(),
    )


class Resolver:
    def __init__(self, template: dict[str, Any], values: dict[str, Any], pseudo: dict[str, str], attributes: dict[str, dict[str, Any]]):
        self.template = template
        self.refs: dict[str, Any] = {**values, **pseudo}
        self.attributes = attributes
        self.conditions: dict[str, bool] = {}
        for name in template.get("Conditions", {}):
            self.condition(name)

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            definitions = self.template.get("Conditions", {})
            if name not in definitions:
                fail(f"Condition {name} is not declared: declare it under Conditions.")
            self.conditions[name] = self.truth(definitions[name])
        return self.conditions[name]

    def truth(self, node: Any) -> bool:
        if isinstance(node, dict) and len(node) == 1:
            (key, args), = node.items()
            if key == "Condition":
                return self.condition(args)
            if key == "Fn::Equals":
                return self.value(args[0]) == self.value(args[1])
            if key == "Fn::Not":
                return not self.truth(args[0])
            if key == "Fn::And":
                return all(self.truth(a) for a in args)
            if key == "Fn::Or":
                return any(self.truth(a) for a in args)
        fail(f"Cannot evaluate the condition {json.dumps(node)}: use Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition.")
        return False

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            items = [self.value(item) for item in node]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, args), = node.items()
            if key == "Ref":
                if args == "AWS::NoValue":
                    return NO_VALUE
                return copy.deepcopy(self.refs[args]) if args in self.refs else node
            if key == "Fn::If":
                return self.value(args[1] if self.condition(args[0]) else args[2])
            if key == "Fn::GetAtt":
                resource, attribute = args.split(".", 1) if isinstance(args, str) else args
                known = self.attributes.get(resource, {})
                return known[attribute] if attribute in known else node
            if key == "Fn::Sub":
                return self.sub(args)
            if key == "Fn::Join":
                separator, items = self.value(args[0]), self.value(args[1])
                if isinstance(items, list) and all(isinstance(i, str) for i in items):
                    return separator.join(items)
                return {key: [separator, items]}
            if key == "Fn::Select":
                index, items = self.value(args[0]), self.value(args[1])
                if isinstance(items, list) and not any(isinstance(i, dict) for i in items):
                    return items[int(index)]
                return {key: [index, items]}
            if key == "Fn::Split":
                separator, text = self.value(args[0]), self.value(args[1])
                return text.split(separator) if isinstance(text, str) else {key: [separator, text]}
        resolved = {k: self.value(v) for k, v in node.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def sub(self, args: Any) -> Any:
        text, variables = (args, {}) if isinstance(args, str) else (args[0], self.value(args[1]))
        unresolved = False

        def replace(match: re.Match[str]) -> str:
            nonlocal unresolved
            name = match.group(1)
            if name.startswith("!"):
                return match.group(0)
            if name in variables and isinstance(variables[name], str):
                return variables[name]
            if "." in name:
                resource, attribute = name.split(".", 1)
                known = self.attributes.get(resource, {})
                if attribute in known:
                    return str(known[attribute])
            elif name in self.refs and not isinstance(self.refs[name], list):
                return str(self.refs[name])
            unresolved = True
            return match.group(0)

        result = re.sub(r"\$\{([^}]+)\}", replace, text)
        if unresolved:
            return {"Fn::Sub": result}
        return re.sub(r"\$\{!", "${", result)

    def resolve(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in self.template.items() if k not in ("Conditions", "Transform")}
        for section in ("Resources", "Outputs"):
            kept = {}
            for name, body in self.template.get(section, {}).items():
                if "Condition" in body and not self.condition(body["Condition"]):
                    continue
                body = {k: v for k, v in body.items() if k != "Condition"}
                kept[name] = self.value(body)
            out[section] = kept
        return out


def main() -> None:
    request = json.loads(sys.argv[1])
    pseudo = {
        "AWS::AccountId": "111111111111",
        "AWS::Region": "us-east-1",
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": "cloudtrail-enrollment",
        "AWS::StackId": "arn:aws:cloudformation:us-east-1:111111111111:stack/cloudtrail-enrollment/"
        "0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9",
        **request.get("pseudo", {}),
    }
    template = load(request["template"])
    values = parameter_values(template, request.get("parameters", {}))
    transformed = transform(template, values, pseudo)
    print(json.dumps(Resolver(transformed, values, pseudo, request.get("attributes", {})).resolve(), indent=1))


if __name__ == "__main__":
    main()
