import type { ApplianceType } from '@forecare/firmware-contracts';
import { AirConditionerModel } from './appliances/air-conditioner.js';
import { DishwasherModel } from './appliances/dishwasher.js';
import { DryerModel } from './appliances/dryer.js';
import type { ApplianceModel } from './appliances/model.js';
import { OvenModel } from './appliances/oven.js';
import { RefrigeratorModel } from './appliances/refrigerator.js';
import { WasherModel } from './appliances/washer.js';
import { WaterHeaterModel } from './appliances/water-heater.js';
import type { Random } from './random.js';

export type { ApplianceModel, Reading } from './appliances/model.js';
export { AirConditionerModel, DishwasherModel, DryerModel, OvenModel, RefrigeratorModel, WasherModel, WaterHeaterModel };

/** The behaviour model of each appliance type, one file per type under appliances/. */
export function modelFor(type: ApplianceType, rnd: Random): ApplianceModel {
  switch (type) {
    case 'refrigerator':
      return new RefrigeratorModel(rnd);
    case 'washer':
      return new WasherModel(rnd);
    case 'dryer':
      return new DryerModel(rnd);
    case 'dishwasher':
      return new DishwasherModel(rnd);
    case 'air_conditioner':
      return new AirConditionerModel(rnd);
    case 'water_heater':
      return new WaterHeaterModel(rnd);
    case 'oven':
      return new OvenModel(rnd);
  }
}
