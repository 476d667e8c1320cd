package models

import (
	"errors"
	"fmt"

	ort "github.com/yalue/onnxruntime_go"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of the ONNX protobuf messages graphIO reads (onnx.proto).
const (
	fieldModelGraph       = 7  // ModelProto.graph
	fieldGraphInitializer = 5  // GraphProto.initializer
	fieldGraphInput       = 11 // GraphProto.input
	fieldGraphOutput      = 12 // GraphProto.output
	fieldTensorName       = 8  // TensorProto.name
	fieldValueInfoName    = 1  // ValueInfoProto.name
	fieldValueInfoType    = 2  // ValueInfoProto.type
	fieldTypeTensor       = 1  // TypeProto.tensor_type
	fieldTensorElemType   = 1  // TypeProto.Tensor.elem_type
	fieldTensorShape      = 2  // TypeProto.Tensor.shape
	fieldShapeDim         = 1  // TensorShapeProto.dim
	fieldDimValue         = 1  // TensorShapeProto.Dimension.dim_value
)

var errMalformedGraph = errors.New("malformed ONNX protobuf")

// graphIO reads a model's declared graph inputs (less those an initializer
// provides, as older exports list them) and outputs straight from its protobuf,
// without building an ONNX Runtime session: asking ONNX Runtime would build and
// discard a whole session, which for the base models costs as much as loading one.
// Element types share their numbering in ONNX and ONNX Runtime; a symbolic
// dimension reads as -1.
func graphIO(data []byte) (ins, outs []ort.InputOutputInfo, err error) {
	graph, ok := firstBytes(data, fieldModelGraph)
	if !ok {
		return nil, nil, fmt.Errorf("%w: no graph", errMalformedGraph)
	}
	inits := map[string]bool{}
	err = eachField(graph, func(num protowire.Number, v []byte) error {
		switch num {
		case fieldGraphInitializer:
			if name, ok := firstBytes(v, fieldTensorName); ok {
				inits[string(name)] = true
			}
		case fieldGraphInput, fieldGraphOutput:
			info, err := valueInfo(v)
			if err != nil {
				return err
			}
			if num == fieldGraphInput {
				ins = append(ins, info)
			} else {
				outs = append(outs, info)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	kept := ins[:0]
	for _, in := range ins {
		if !inits[in.Name] {
			kept = append(kept, in)
		}
	}
	return kept, outs, nil
}

// valueInfo decodes a ValueInfoProto holding a tensor type.
func valueInfo(b []byte) (ort.InputOutputInfo, error) {
	info := ort.InputOutputInfo{OrtValueType: ort.ONNXTypeTensor}
	name, _ := firstBytes(b, fieldValueInfoName)
	info.Name = string(name)
	typ, _ := firstBytes(b, fieldValueInfoType)
	tensor, ok := firstBytes(typ, fieldTypeTensor)
	if !ok {
		return info, fmt.Errorf("%w: %q is not a tensor", errMalformedGraph, info.Name)
	}
	err := eachVarintOrBytes(tensor, func(num protowire.Number, n uint64, v []byte) error {
		switch {
		case num == fieldTensorElemType && v == nil:
			info.DataType = ort.TensorElementDataType(n)
		case num == fieldTensorShape && v != nil:
			info.Dimensions = ort.Shape{}
			return eachField(v, func(num protowire.Number, dim []byte) error {
				if num != fieldShapeDim {
					return nil
				}
				size := int64(-1)
				_ = eachVarintOrBytes(dim, func(num protowire.Number, n uint64, v []byte) error {
					if num == fieldDimValue && v == nil {
						size = int64(n)
					}
					return nil
				})
				info.Dimensions = append(info.Dimensions, size)
				return nil
			})
		}
		return nil
	})
	return info, err
}

// firstBytes returns the first length-delimited field numbered num in b.
func firstBytes(b []byte, num protowire.Number) ([]byte, bool) {
	var found []byte
	ok := false
	_ = eachField(b, func(n protowire.Number, v []byte) error {
		if n == num && !ok {
			found, ok = v, true
		}
		return nil
	})
	return found, ok
}

// eachField calls fn for every length-delimited field of the message b, skipping
// fields of other wire types.
func eachField(b []byte, fn func(num protowire.Number, v []byte) error) error {
	return eachVarintOrBytes(b, func(num protowire.Number, _ uint64, v []byte) error {
		if v == nil {
			return nil
		}
		return fn(num, v)
	})
}

// eachVarintOrBytes walks the fields of the message b: fn gets a varint's value
// (v nil) or a length-delimited field's bytes (never nil); other wire types are
// skipped.
func eachVarintOrBytes(b []byte, fn func(num protowire.Number, n uint64, v []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("%w: %w", errMalformedGraph, protowire.ParseError(n))
		}
		b = b[n:]
		switch typ {
		case protowire.VarintType:
			val, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return fmt.Errorf("%w: %w", errMalformedGraph, protowire.ParseError(m))
			}
			if err := fn(num, val, nil); err != nil {
				return err
			}
			b = b[m:]
		case protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return fmt.Errorf("%w: %w", errMalformedGraph, protowire.ParseError(m))
			}
			if v == nil {
				v = []byte{}
			}
			if err := fn(num, 0, v); err != nil {
				return err
			}
			b = b[m:]
		default:
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return fmt.Errorf("%w: %w", errMalformedGraph, protowire.ParseError(m))
			}
			b = b[m:]
		}
	}
	return nil
}
