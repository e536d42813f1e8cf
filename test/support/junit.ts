// Parses a JUnit XML report with an independent XML parser (Python's xml.etree, strict: a malformed
// document is an error) and returns its structure, so tests check what a CI system would read.
import { execFileSync } from 'node:child_process';

export interface JunitCase {
  classname: string;
  name: string;
  time: string;
  failure?: { type: string; message: string; text: string };
  systemOut?: string;
}
export interface JunitSuite {
  name: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  properties: Record<string, string>;
  cases: JunitCase[];
}
export interface JunitDoc {
  root: string;
  tests: number;
  failures: number;
  errors: number;
  suites: JunitSuite[];
}

const PARSE = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
def case(c):
    out = {"classname": c.get("classname"), "name": c.get("name"), "time": c.get("time")}
    f = c.find("failure")
    if f is not None:
        out["failure"] = {"type": f.get("type"), "message": f.get("message"), "text": f.text or ""}
    so = c.find("system-out")
    if so is not None:
        out["systemOut"] = so.text or ""
    return out
suites = [{"name": s.get("name"), "tests": int(s.get("tests")), "failures": int(s.get("failures")), "errors": int(s.get("errors")),
           "skipped": int(s.get("skipped")), "properties": {p.get("name"): p.get("value") for p in s.iter("property")},
           "cases": [case(c) for c in s.findall("testcase")]} for s in root.findall("testsuite")]
print(json.dumps({"root": root.tag, "tests": int(root.get("tests")), "failures": int(root.get("failures")), "errors": int(root.get("errors")), "suites": suites}))
`;

export function parseJunit(file: string): JunitDoc {
  return JSON.parse(execFileSync('python3', ['-c', PARSE, file], { encoding: 'utf8' })) as JunitDoc;
}
