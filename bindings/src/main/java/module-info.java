/**
 * librfsq (inside this jar, extracted once per user) and its raw FFM bindings in jextract's shape: internal to
 * rfsq4j, whose module dev.rfsq4j is the API. Needs native access ({@code --enable-native-access=dev.rfsq4j.bindings},
 * or ALL-UNNAMED on the class path).
 */
module dev.rfsq4j.bindings {
    exports dev.rfsq4j.bindings to dev.rfsq4j;
}
