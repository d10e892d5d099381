// A small parameter set in the shape of GET /api/<fn>/he-params, shared by the Node and browser tests.
'use strict';

exports.heParams = {
  function: 'encrypted-test',
  parameter_sets: [{ name: 'small', poly_modulus_degree: 8192, coeff_modulus_bits: [40, 30, 40], scale_bits: 30, slot_count: 4096 }],
  galois_steps: [1, 2, 4],
  relin_keys: true,
  input: { features: 3, period: 4, window: 16, standardize: { mean: [1, 2, 3], std: [2, 2, 2] } },
  output: { count: 3, postprocess: 'softmax' },
};
