// The conformance case tests/flux/cases/exp_align_time in Flux form (written by
// convert.py): its points written to bucket "test", its query's output compared
// with its .out.csv.
import "csv"
import "testing"
import "experimental"

option now = () => 2024-01-02T00:00:00Z

outData = "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,year
,,0,2024-01-01T00:00:00Z,1,2022
,,0,2024-01-02T00:00:00Z,2,2022
,,1,2024-01-01T00:00:00Z,3,2023
,,1,2024-01-01T12:00:00Z,4,2023
"

testcase exp_align_time {
data =
    "
#datatype,string,long,dateTime:RFC3339,double,string
#group,false,false,false,false,true
#default,_result,,,,
,result,table,_time,_value,year
,,0,2022-03-01T00:00:00Z,1,2022
,,0,2022-03-02T00:00:00Z,2,2022
,,1,2023-03-05T00:00:00Z,3,2023
,,1,2023-03-05T12:00:00Z,4,2023
"
    got =
        csv.from(csv: data)
            |> experimental.alignTime(alignTo: 2024-01-01T00:00:00Z)
    testing.diff(got: got, want: csv.from(csv: outData))
}
