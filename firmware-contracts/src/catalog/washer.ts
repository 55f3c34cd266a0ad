import type { ApplianceTypeSpec } from './types.js';

export const washer = {
  type: 'washer',
  displayName: { en: 'Washing machine', zh: '洗衣机' },
  metrics: [
    { name: 'water_temp_c', unit: '°C', type: 'number', valid: [0, 100], typical: [15, 60], description: 'Water temperature in the drum' },
    { name: 'drum_rpm', unit: 'rpm', type: 'integer', valid: [0, 2000], typical: [0, 1400], description: 'Drum speed' },
    { name: 'water_level_pct', unit: '%', type: 'number', valid: [0, 100], typical: [0, 60], description: 'Water level' },
    { name: 'motor_current_a', unit: 'A', type: 'number', valid: [0, 20], typical: [0, 3], description: 'Motor current' },
    { name: 'vibration_g', unit: 'g', type: 'number', valid: [0, 10], typical: [0, 0.8], description: 'Peak cabinet vibration' },
  ],
  states: [
    { name: 'phase', values: ['idle', 'fill', 'wash', 'rinse', 'spin', 'drain', 'done'], description: 'Cycle phase' },
    { name: 'door_locked', values: 'boolean', description: 'Door lock engaged' },
  ],
  faults: [
    { code: 'E-DRN-01', faultClass: 'drain', meaning: 'Water does not drain', severity: 'critical', needsVisit: true, likelyPart: 'drain pump', customerText: { en: 'Your washing machine cannot drain its water.', zh: '您的洗衣机无法排水。' } },
    { code: 'E-LEAK-01', faultClass: 'leak', meaning: 'Water detected in the base tray', severity: 'safety', needsVisit: true, likelyPart: 'inlet hose', customerText: { en: 'Your washing machine is leaking water. Please close the water tap.', zh: '您的洗衣机正在漏水，请关闭水龙头。' } },
    { code: 'E-HTR-01', faultClass: 'heater', meaning: 'Water does not heat', severity: 'warning', needsVisit: true, likelyPart: 'heating element', customerText: { en: 'Your washing machine is not heating the water.', zh: '您的洗衣机无法加热水。' } },
    { code: 'E-MTR-01', faultClass: 'motor', meaning: 'Motor does not turn the drum', severity: 'critical', needsVisit: true, likelyPart: 'motor carbon brushes', customerText: { en: 'The motor of your washing machine is not turning the drum.', zh: '您洗衣机的电机无法带动滚筒。' } },
    { code: 'E-LCK-01', faultClass: 'door_lock', meaning: 'Door lock fails to engage', severity: 'warning', needsVisit: true, likelyPart: 'door lock assembly', customerText: { en: 'The door of your washing machine does not lock.', zh: '您洗衣机的门锁无法锁定。' } },
    { code: 'W-UNB-01', faultClass: 'unbalance', meaning: 'Load unbalanced, spin reduced', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'The laundry load was unbalanced; spinning was reduced.', zh: '衣物不平衡，已降低脱水转速。' } },
  ],
} as const satisfies ApplianceTypeSpec;
