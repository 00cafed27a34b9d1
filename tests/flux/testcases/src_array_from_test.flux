// The conformance case tests/flux/cases/src_array_from in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "array"

option now = () => 2024-01-02T00:00:00Z

outData = "
#datatype,string,long,dateTime:RFC3339,string,long,double,boolean
#group,false,false,false,false,false,false,false
#default,_result,,,,,,
,result,table,_time,name,n,x,ok
,,0,2024-01-01T00:00:00Z,a,1,1.5,true
,,0,2024-01-01T00:01:00Z,b,-2,2,false
"

testcase src_array_from {
    got =
        array.from(
            rows: [
                {_time: 2024-01-01T00:00:00Z, name: "a", n: 1, x: 1.5, ok: true},
                {_time: 2024-01-01T00:01:00Z, name: "b", n: -2, x: 2.0, ok: false},
            ],
        )
    testing.diff(got: got, want: csv.from(csv: outData))
}
