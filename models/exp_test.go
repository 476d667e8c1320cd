package models
import ("testing";"time";"os";"path/filepath";"contend/models/lexicon"; ort "github.com/yalue/onnxruntime_go")
func TestExpLoad(t *testing.T){
 requireRuntime(t)
 dir := t.TempDir()
 if err := lexicon.Build(dir, lexicon.Base); err != nil { t.Fatal(err) }
 for _, f := range []string{"encoder_model.onnx","decoder_model.onnx"} {
 data, _ := os.ReadFile(filepath.Join(dir, "en-hi", f))
 st := time.Now()
 _, _, err := ort.GetInputOutputInfoWithONNXData(data)
 t.Log(f, len(data), "info", time.Since(st), err)
 }
}
