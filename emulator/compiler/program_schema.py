"""The shape of a Program's description (`Program.meta`) as a JSON Schema: every field the
runtime, the cost models, the metrics and `Program.summary` read, with its type and
range. `check_description` validates a description against it, so that a damaged or
hand-edited file fails with a ProgramFormatError naming the field, never with a
TypeError or an IndexError somewhere downstream. Cross-references (populations and their
blocks, plastic connections and their groups) are checked by Program itself.
"""
import jsonschema

from ..errors import ProgramFormatError

INT32 = 2**31 - 1


def _int(lo=0, hi=INT32):
    return {"type": "integer", "minimum": lo, "maximum": hi}


def _pair(*items):
    return {"type": "array", "prefixItems": list(items), "minItems": len(items),
            "maxItems": len(items), "items": False}


def _object(properties, required=None, extra=False):
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": extra}


_NAME = {"type": "string", "minLength": 1}
_NUMBER = {"type": "number"}
_ERRORS = _object({k: _NUMBER for k in ("max_relative", "rms_relative", "max_absolute",
                                        "full_scale")} | {"n": _int(), "zeroed": _int()})
_QUANTIZED = {"type": "object", "required": ["scale"],
              "properties": {"scale": _NUMBER, "weight_exp": _int(-64, 64),
                             "scale_limited_by": {"type": "string"}},
              "additionalProperties": _ERRORS}

_TARGET = _object({
    "name": {"type": "string"},
    "max_neurons_per_core": _int(1),
    "defective_cores": {"type": "array", "items": _int()},
    "n_chips": _int(1, 2**20),
    "cores_per_chip": _int(1),
    "payload_bits": _int(1, 32),
    "max_input_axons": _int(),
    "max_output_axons": _int(),
    "synapse_memory_bits": _int(0, 2**62),
    "core_memory_bytes": _int(0, 2**62),
    "router_grid": _pair(_int(1, 4096), _int(1, 4096)),
    "cores_per_router": _int(1, 4096),
    "chip_topology": {"type": "string"},
    "routing": {"enum": ["axon", "multicast"]},
    "routing_entries_per_chip": _int(),
}, required=["name", "max_neurons_per_core", "n_chips", "cores_per_chip", "payload_bits"])

_BLOCK = _object({"kind": {"type": "string"}, "population": _NAME, "start": _int(),
                  "stop": _int(), "params": {"type": "array", "items": {"type": "string"}}})
_GROUP = _object({"connection": _NAME, "post_base": _int(), "n_post": _int(), "n_rows": _int(),
                  "dense": {"type": "boolean"}, "weight_exp": _int(-64, 64),
                  "graded": {"type": "boolean"}})
_CORE = _object({"blocks": {"type": "array", "items": _BLOCK},
                 "groups": {"type": "array", "items": _GROUP},
                 "location": _pair(_int(), _int()),
                 # no input-axon arrays and no output axons: axon k is row k of the
                 # core's groups in order, its senders in source order (version 3)
                 "axons": {"enum": ["rows"]}}, required=["blocks", "groups"])

_COMPILE = _object({
    "phases": {"type": "object", "additionalProperties": _NUMBER},
    "chip_assignment": {"type": "string"},
    "usage": {"type": "object", "additionalProperties": {"type": "array", "items": _int(0, 2**62)}},
    "limits": {"type": "object", "additionalProperties": _int(1, 2**62)},
    "traffic": _object({"intra_chip": _NUMBER, "inter_chip": _NUMBER}),
    "placement": _object({"hop_traffic": _NUMBER, "in_order": _NUMBER,
                          "chips": _object({"chip_hop_traffic": _NUMBER, "in_order": _NUMBER})},
                         required=["hop_traffic", "in_order"]),
    "multicast": {"oneOf": [{"type": "null"}, _object({
        "chips": {"type": "array", "items": _int()},
        "entries": {"type": "object", "additionalProperties": _pair(_int(), _int())},
        "limit": {"oneOf": [{"type": "null"}, _int()]},
        "key_shift": _int(0, 31)}, required=["chips", "entries", "limit"])]},
    "quantization": {"oneOf": [{"type": "null"}, _object({
        "dt": {"oneOf": [{"type": "null"}, _NUMBER]},
        "populations": {"type": "object", "additionalProperties": _QUANTIZED},
        "connections": {"type": "object", "additionalProperties": _QUANTIZED}})]},
}, required=["phases", "chip_assignment", "usage", "limits", "traffic"], extra=True)

SCHEMA = _object({
    "format": {"const": "emulator-program"},
    "version": {"enum": [2, 3]},  # (program.py: READS)
    "target": _TARGET,
    "inputs": {"type": "array", "items": _object({
        "name": _NAME, "n": _int(1), "graded": {"type": "boolean"}, "source_base": _int()})},
    "populations": {"type": "array", "items": _object({
        "name": _NAME, "n": _int(1), "kind": {"type": "string"}, "graded": {"type": "boolean"},
        "state_vars": {"type": "array", "items": {"type": "string"}},
        "blocks": {"type": "array", "items": _pair(_int(), _int(), _int(), _int())}})},
    "connections": {"type": "array", "items": _object({
        "name": _NAME, "pre": _NAME, "post": _NAME, "n_synapses": _int(0, 2**62),
        "dense": {"type": "boolean"}})},
    "probes": {"type": "array", "items": _pair(_NAME, _NAME)},
    "plastic": {"type": "array", "items": _object({
        "connection": _NAME, "n_pre": _int(1), "n_post": _int(1), "t_epoch": _int(1),
        "sign_mode": {"type": "string"}, "n_synapses": _int(0, 2**62),
        "groups": {"type": "array", "items": _pair(_int(), _int(), _int())}})},
    "connection_probes": {"type": "array", "items": _pair(_NAME, _NAME)},
    "cores": {"type": "array", "items": _CORE},
    "compile": {"oneOf": [{"type": "null"}, {"type": "object", "maxProperties": 0}, _COMPILE]},
}, required=["format", "version", "target", "inputs", "populations", "connections", "probes",
             "plastic", "connection_probes", "cores"])

# Integers only (a float such as 3.0 or a bool is no count or index here); a freshly
# compiled description holds tuples where a loaded one holds lists.
_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many({
    "integer": lambda checker, value: isinstance(value, int) and not isinstance(value, bool),
    "array": lambda checker, value: isinstance(value, (list, tuple))})
_Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=_TYPES)
_VALIDATOR = _Validator(SCHEMA)


def check_description(meta, where="program"):
    """Raise ProgramFormatError naming the first field of `meta` that breaks SCHEMA."""
    error = jsonschema.exceptions.best_match(_VALIDATOR.iter_errors(meta))
    if error is not None:
        field = "".join(f"[{p!r}]" for p in error.absolute_path) or "(the whole description)"
        message = error.message if len(error.message) <= 300 else error.message[:300] + "..."
        raise ProgramFormatError(f"{where}: description field {field}: {message}")
