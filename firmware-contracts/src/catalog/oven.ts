import type { ApplianceTypeSpec } from './types.js';

export const oven = {
  type: 'oven',
  displayName: { en: 'Oven', zh: '烤箱' },
  metrics: [
    { name: 'cavity_temp_c', unit: '°C', type: 'number', valid: [-20, 550], typical: [20, 250], description: 'Cavity temperature (pyrolytic cleaning reaches about 480 °C)' },
    { name: 'setpoint_c', unit: '°C', type: 'number', valid: [0, 500], typical: [0, 250], description: 'Target cavity temperature' },
    { name: 'door_temp_c', unit: '°C', type: 'number', valid: [-20, 200], typical: [20, 60], description: 'Outer door glass temperature' },
    { name: 'electronics_temp_c', unit: '°C', type: 'number', valid: [-20, 150], typical: [20, 70], description: 'Control board temperature' },
    { name: 'heater_current_a', unit: 'A', type: 'number', valid: [0, 40], typical: [0, 16], description: 'Total heating element current' },
    { name: 'fan_rpm', unit: 'rpm', type: 'integer', valid: [0, 4000], typical: [0, 2500], description: 'Cooling fan speed' },
    { name: 'probe_temp_c', unit: '°C', type: 'number', valid: [-20, 150], typical: [0, 95], description: 'Meat probe core temperature' },
    { name: 'door_open', unit: 'bool', type: 'boolean', valid: [0, 1], typical: [0, 0], description: 'Door is open' },
  ],
  states: [
    { name: 'mode', values: ['off', 'preheat', 'bake', 'convection', 'grill', 'pyrolysis', 'cool_down'], description: 'Operating mode' },
    { name: 'door_locked', values: 'boolean', description: 'Door lock engaged (pyrolysis)' },
    { name: 'light', values: 'boolean', description: 'Cavity light on' },
  ],
  faults: [
    { code: 'E-OVH-01', faultClass: 'overheat', meaning: 'Cavity over temperature, thermal cut-out tripped', severity: 'safety', needsVisit: true, likelyPart: 'thermal cut-out', customerText: { en: 'Your oven overheated and switched itself off. Keep the door closed, switch it off at the fuse box and do not use it until checked.', zh: '您的烤箱温度过高，已自动关闭。请保持烤箱门关闭，在配电箱断开电源，检查前请勿使用。' } },
    { code: 'E-RLY-01', faultClass: 'control', meaning: 'Heater relay stuck closed: heating while switched off', severity: 'safety', needsVisit: true, likelyPart: 'power control board', customerText: { en: 'Your oven keeps heating while switched off. Switch it off at the fuse box now.', zh: '您的烤箱在关闭状态下仍在加热，请立即在配电箱断开电源。' } },
    { code: 'E-LCK-01', faultClass: 'door_lock', meaning: 'Door lock not engaged during pyrolysis', severity: 'safety', needsVisit: true, likelyPart: 'door lock motor', customerText: { en: 'The door of your oven did not lock during self-cleaning; the cycle was stopped. Do not open the door while it is hot.', zh: '您的烤箱在自清洁时门锁未锁定，程序已停止。烤箱高温时请勿开门。' } },
    { code: 'E-FAN-01', faultClass: 'fan', meaning: 'Cooling fan stalled', severity: 'critical', needsVisit: true, likelyPart: 'cooling fan motor', customerText: { en: 'The cooling fan of your oven has stopped; the oven limits its temperature.', zh: '您烤箱的散热风扇已停止，烤箱将限制温度。' } },
    { code: 'E-SNS-01', faultClass: 'sensor', meaning: 'Cavity temperature sensor open or shorted', severity: 'critical', needsVisit: true, likelyPart: 'PT1000 temperature sensor', customerText: { en: 'Your oven cannot measure its temperature and has stopped heating.', zh: '您的烤箱无法测量温度，已停止加热。' } },
    { code: 'E-HTR-01', faultClass: 'heater', meaning: 'Bottom heating element open circuit', severity: 'warning', needsVisit: true, likelyPart: 'bottom heating element', customerText: { en: 'The bottom heater of your oven is not working.', zh: '您烤箱的下加热管不工作。' } },
    { code: 'E-HTR-02', faultClass: 'heater', meaning: 'Grill element open circuit', severity: 'warning', needsVisit: true, likelyPart: 'grill element', customerText: { en: 'The grill of your oven is not working.', zh: '您烤箱的烧烤加热管不工作。' } },
    { code: 'W-DOOR-01', faultClass: 'door', meaning: 'Door open while heating for more than 2 minutes', severity: 'info', needsVisit: false, likelyPart: null, customerText: { en: 'Your oven door has been open while the oven is on.', zh: '您的烤箱在加热时门已打开较长时间。' } },
  ],
} as const satisfies ApplianceTypeSpec;
