// Validates every entity of a multi-document YAML file with Backstage's own rules (@backstage/catalog-model):
// the catalog's entity policies (envelope, schema, name and field formats) and the Group and User kind schemas.
// Usage: node validate.js ENTITIES.json   (a JSON array of entities, written by the Python test from the YAML)
// Prints "ok N" and exits 0, or prints each entity's error and exits 1.
"use strict";
const fs = require("fs");
const path = require("path");
const model = require(path.join(__dirname, "node", "node_modules", "@backstage", "catalog-model"));

const policies = model.EntityPolicies.allOf([
  new model.DefaultNamespaceEntityPolicy(),
  new model.NoForeignRootFieldsEntityPolicy(),
  new model.FieldFormatEntityPolicy(),
  new model.SchemaValidEntityPolicy(),
]);
const kinds = { Group: model.groupEntityV1alpha1Validator, User: model.userEntityV1alpha1Validator };

async function main() {
  const entities = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const errors = [];
  for (const entity of entities) {
    const where = `${entity && entity.kind}:${entity && entity.metadata && entity.metadata.name}`;
    try {
      const checked = await policies.enforce(entity);
      if (!checked) throw new Error("refused by the entity policies");
      const validator = kinds[checked.kind];
      if (!validator) throw new Error(`no validator for kind ${checked.kind}`);
      if ((await validator.check(checked)) !== true) throw new Error(`not a ${checked.kind} entity`);
    } catch (error) {
      errors.push(`${where}: ${error.message}`);
    }
  }
  if (errors.length) {
    console.error(errors.join("\n"));
    process.exit(1);
  }
  console.log(`ok ${entities.length}`);
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(2);
});
